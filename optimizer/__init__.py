"""SinkPlan: plan the ecological restoration of mines for carbon."""
