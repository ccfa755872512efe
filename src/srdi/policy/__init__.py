"""Policy library and precise push (精准推送) (PRODUCT C3); its messages go through srdi.notification."""
