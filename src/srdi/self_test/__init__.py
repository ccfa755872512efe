"""企业自测: a prospective enterprise answers what the rules need and sees its tiers and policies — nothing stored."""
