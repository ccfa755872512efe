"""Policy library, precise push (精准推送) and notifications (PRODUCT C3)."""
