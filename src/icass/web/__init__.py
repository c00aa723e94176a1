"""The pages (issue 8 §4): server-rendered Jinja2 with htmx and the US Web Design System, every asset served
from static/vendor. Like Fava over Beancount, they add no logic: they lay out the records the API's functions
hand them (icass.views' summaries, the API's models) and change rows through the same functions as the API
(icass.api.tables), under the same guard. They never import the store."""
