"""Russian formats: Django's, with dates written without the trailing "г." (year), so that a date
ending a sentence ("Открыта до 30 декабря 1917.") does not end with two full stops."""

from __future__ import annotations

DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
