"""Training data from agreement only: DPO pairs from blind votes, KTO rows from thumbs and SFT rows from
ideal answers, each exported only from items whose reviewers agree (or that an adjudicator settled).

* ``sources``: what the database holds (blind votes with each side's version, every review of the
  shared queues, the session log's rows).
* ``selection``: which items the reviewers agree on, under an ``AgreementRule`` (the share of reviewers
  who gave the most common verdict, at least ``threshold``, from at least ``min_reviewers``). A
  reviewer counts once per item (their latest verdict). Blind votes are grouped into one item per task,
  inputs and pair of variants (with versions): each reviewer runs a blind pair of their own, so agreement
  is on "which variant answers these inputs better". Ties and "both bad" never make a pair, even agreed.
  Shared-queue items agree on thumbs; an adjudicated item (its final verdict passed in, see ``verdicts``)
  is always taken, with the adjudicator's verdict.
* ``prompts``: the text each completion answered (the blind vote's filled prompt, else the variant's
  template filled with the inputs, else the inputs themselves), and which of these it is.
* ``rows``: the rows, in the shapes TRL reads (DPO ``prompt``/``chosen``/``rejected``; KTO
  ``prompt``/``completion``/``label``; SFT ``prompt``/``completion`` or ``messages``) plus the metadata
  every row carries: reviewers, rubric version, prompt and variant versions, the comparison id.
* ``writers``: JSONL bytes.
* ``export``: the selection of a whole database in one call, with the counts a page shows.
"""
