"""监测评价 (PRODUCT C8): aggregate views of the registry by district, industry, tier and size class."""
