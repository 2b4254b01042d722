-- Notification channels ([[notify.email]], [[notify.slack]], [[notify.teams]]):
-- per channel and event, what was last announced and when, so a lasting
-- problem is announced once, again every repeat_every (a reminder) or when its
-- severity changes, and its recovery once. A row is written right after each
-- delivery: a run killed between the delivery and the row resends that one
-- message next time; nothing announced is ever forgotten, nothing is lost.
-- Rows hold no secret: channel names and event names only, and a redacted summary.
CREATE TABLE notification_state (
  channel       TEXT NOT NULL,                 -- [[notify.*]] name, e.g. "oncall-mail", "slack1"
  event         TEXT NOT NULL,                 -- "database shop", "cluster 7301...", "stage verify"
  severity      TEXT NOT NULL CHECK (severity IN ('warning', 'critical')),
  active        INTEGER NOT NULL DEFAULT 1,    -- 0: its recovery was announced
  first_sent_at TEXT NOT NULL,                 -- when this episode was first announced
  last_sent_at  TEXT NOT NULL,                 -- the last problem, reminder or recovery message
  messages      INTEGER NOT NULL DEFAULT 1,    -- messages sent in this episode
  summary       TEXT NOT NULL DEFAULT '',      -- what the last message said (redacted)
  PRIMARY KEY (channel, event)
);
