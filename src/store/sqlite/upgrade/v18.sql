-- Upgrade step 17 → 18: the working-day calendar entered in the console.
-- A year's holidays and make-up working days entered by an administrator (系统管理 → 工作日历, `jiancha
-- calendar set`) from the State Council's notice: it takes the place of the built-in data for that year.
-- `days` is a JSON array of {name, date, off}. Entering a year again replaces it (audited each time).
CREATE TABLE calendar_year (
  year INTEGER PRIMARY KEY CHECK (year BETWEEN 1990 AND 2100),
  notice TEXT NOT NULL,
  days TEXT NOT NULL CHECK (json_valid(days) AND json_type(days) = 'array'),
  entered_by TEXT NOT NULL,
  entered_at INTEGER NOT NULL
);
