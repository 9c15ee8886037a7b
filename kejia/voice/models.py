"""Voice of S&T workers (建言与诉求): suggestions, appeals, rights requests and policy questions with deadlines, escalation and public answers."""
