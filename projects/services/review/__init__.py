"""The target-quality review at entry (审核, issue 18 part 2; docs/review.md): rules as data per region and year,
pure rule functions, a grade and a draft 审核意见. Apart from the declaration checker's blocking findings."""
