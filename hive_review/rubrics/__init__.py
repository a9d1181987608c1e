"""Rubrics: what reviewers judge (dimensions of four kinds, with guidelines), versioned in the
database; the rating form, the review queue's keys and ``feedback_json`` follow the active one."""
