"""The statistics section (统计报表): a period's figures, charts and tables; Excel and PDF exports."""
