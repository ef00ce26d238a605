"""The legal terms and limits, in one place.

The deadlines follow the appeals rules of the Administrative Procedural and Process Code of
Kazakhstan (art. 76, as reported); the others are the tracker's own. Code reads these names,
pages read them as `terms` (remarks.context_processors.terms) and e-mails get them in their
context, so a rule that changes is one line changed here. Pure data: nothing to import.
"""

import datetime as dt

# The official answer is due this many working days after registration.
ANSWER_WORKING_DAYS = 15
# A remark that belongs to another body is routed there within this many working days.
ROUTING_WORKING_DAYS = 3
# The head of the executing agency may extend the deadline, with a reason, to at most this
# many months after registration.
EXTENSION_LIMIT_MONTHS = 2
# The author may dispute a closing answer (reopen the remark) within this many days.
REOPEN_WINDOW_DAYS = 30

# A remark is "due soon" (at risk) when its answer falls due within this many working days:
# the heads' queue and digest list it, and its assignee and heads get one notice.
DUE_SOON_WORKING_DAYS = 2
# The search of PostgreSQL counts a written word as a form of a query word (a Kazakh suffix, a
# typo: "емханаға" and "емхана", "жазылуу" and "жазылу") when at least this share of the
# trigrams of one is found in the other (pg_trgm's word_similarity, the larger of the two
# ways). At 0.8 "нысан41" is not a form of "нысан42" (0.75), nor "тіркелу" of "тіркеу".
SEARCH_WORD_SIMILARITY = 0.8
# A query word of three letters or more also finds the written words it begins ("регистрац"
# finds "регистрация"), named one by one up to this many: the planner estimates named words
# from the index's statistics, a prefix (`:*`) only roughly, and then takes a scan of the
# table for a count (at 1,000,000 remarks: 0.8 s). A word that begins more is a prefix.
SEARCH_PREFIX_WORDS = 30
# A search matching at least this many remarks is "dense": its page is found by walking the
# sort order's index (remarks.filters: at 1,000,000 remarks a page of 50 within ~50,000 rows);
# a sparser one takes its matches from the text index and sorts them.
SEARCH_DENSE_MATCHES = 1000
# A remark being filed is shown an earlier one as similar when their titles are at least this
# similar (pg_trgm's similarity, 0 to 1; on SQLite: two shared significant words).
SIMILAR_TITLE_SIMILARITY = 0.3
# "Similar remarks" shown while filing: open ones, and closed ones closed within this many days.
SIMILAR_RECENT_DAYS = 30
# Checked files of a remark form that came back with errors are kept this long, then purged.
DRAFT_UPLOAD_LIFETIME = dt.timedelta(days=2)
# An uploaded image may have at most this many pixels (16 megapixels: a phone's photo). It is
# checked in the file's header, before decoding, which takes 4 bytes a pixel and more.
IMAGE_MAX_PIXELS = 16_000_000
# Files kept for a user's forms that came back, across all of them (until sent or purged):
# at most this many and this many bytes; more is refused, so nobody fills the disk with drafts.
DRAFT_UPLOADS_MAX_FILES = 10
DRAFT_UPLOADS_MAX_BYTES = 30 * 1024 * 1024

# An e-mail ready to leave for longer than this means the background worker or the mail
# server needs the operator: the coordinators' queue says so.
DELIVERY_LATE = dt.timedelta(minutes=15)

# A remark is a repeat of an earlier one by the same author on the same service and matter
# when it is filed within this many months after the earlier one was answered (or while the
# earlier one is overdue), and their texts share at least this part of their words
# (remarks.repeats.similarity: shared words over all the words of both, 0 to 1).
REPEAT_WINDOW_MONTHS = 12
REPEAT_SIMILARITY = 0.4
