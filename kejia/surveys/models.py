"""Surveys: questionnaire builder, distribution, tracking, results and the evaluation index."""
