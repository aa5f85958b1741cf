"""From firings to the outcome: findings with their texts and dues, and the decision (grade,
eligibility, recommended status)."""
