"""Casework (服务专员, 首接负责制): commissioners' enterprises, worklist and visits (PRODUCT C5)."""
