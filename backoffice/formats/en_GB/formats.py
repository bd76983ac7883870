"""How the back office shows dates and times (British English otherwise): ISO dates and 24-hour times, the same on
every page, list and export. django-tables2's automatic date and time columns use the short formats; a value
rendered as ``{{ value }}`` uses the long ones. Input formats stay Django's en_GB ones."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
