"""The TDY module (6 FAH-5 H-360): visitor rates from the prior year's final budget, TDY invoices, the
transaction workload visits move to next year's counts, and the post's visitor policy text."""
