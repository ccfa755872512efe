"""Appeals closed loop (诉求闭环, PRODUCT C5): departments, intake, the state machine, time limits, KPIs."""
