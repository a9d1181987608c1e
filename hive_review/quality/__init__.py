"""Checking the reviewers and settling their disagreements, on the queues a team shares
(``hive_review.team``).

* **Gold items** (``gold_upload``, ``gold_store``, ``gold_mix``, ``gold_accuracy``): a lead uploads
  completions with the verdict they should get. Each becomes a log row of origin ``gold`` (in a
  review session of its own, under an ordinary id and the task the lead names, so nothing in the
  queue tells it apart) and a ``gold_items`` row with what is expected. ``gold_mix`` mixes them
  into a new shared queue, one in ten by default, each at a random place of its block. A review
  of a gold item is right when every expected value the lead gave matches (``gold_accuracy``:
  thumbs equal; stars inside the expected range, "4" meaning exactly 4 and "4-5" either; every
  expected label chosen, extra labels allowed; a rubric dimension's expected value, read by
  ``gold_dimensions``: a scale in its range, a category or pass/fail equal). A reviewer under 80%
  is flagged. A rating of a gold row is never sent to HoneyHive (``gold_rows.is_gold``, asked by the feedback outbox).
* **Time per item** (``item_timer``, ``time_stats``): from the moment a shared item is first shown
  to its reviewer to the moment the review is submitted, counting each gap between two of the
  reviewer's page runs on that item at most ``IDLE_CAP_SECONDS`` (5 minutes): an item left open
  over lunch counts 5 minutes for the lunch. Kept beside the review (``review_times``, keyed as
  ``shared_reviews``). A rating given elsewhere (review queue, Playground, Compare) is timed the same
  way by the rating form's clock (``rating_times``: from the form's first draw of the generation to
  the submission) and kept in ``rating_times``; medians per reviewer and per variant count both.
* **Adjudication** (``disagreement``, ``adjudication``, ``verdict_frames``): an item of a shared
  queue whose reviews disagree (thumbs both up and down, stars two or more apart, label sets that
  differ, a rubric's categorical or pass/fail dimension given different values, or its scale two or
  more apart) waits for an adjudicator, whose final verdict (thumbs, stars, labels, comment, an optional
  ideal answer, who and when) is kept in ``adjudications``. Gold items
  are not adjudicated: their verdict is known. Numbers and exports read the final verdict where
  there is one; exports keep every individual review beside it.

Modules: ``tables`` (schema; frozen in migration 0006), ``gold_rows`` (which rows are gold),
``gold_rules`` (the expected verdict and the rule), ``gold_upload`` (the lead's file),
``gold_dimensions`` (its expected rubric dimensions; column in migration 0010),
``gold_store``, ``gold_mix``, ``gold_accuracy``, ``reviews`` (every shared review with its time),
``item_timer``, ``rating_times``, ``time_stats``, ``disagreement``, ``split_items``, ``adjudication`` (final
verdicts: ``final_verdicts(database, queue_id=None)`` by generation id), ``verdict_frames``.

Import nothing here: ``hive_review.feedback.queue`` imports ``gold_rows``, and the other modules
import the feedback queue.
"""
