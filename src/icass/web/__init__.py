"""The pages (issue 8 §4): server-rendered Jinja2 with htmx and the US Web Design System, every asset served
from static/vendor. Like Fava over Beancount, they add no logic: they show what icass.store and the engine
compute, and change rows through icass.store.changes as the API does, under the same guard."""
