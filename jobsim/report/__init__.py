"""The HTML report of a run (``jobsim report``): one self-contained page, drawn with plotly.

``page.report_html`` builds it from a Result (and, optionally, the input file's text);
``figures`` holds its interactive charts.
"""

from jobsim.report.page import report_html

__all__ = ["report_html"]
