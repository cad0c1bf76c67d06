"""The service layer: views and jobs call these; they call the policy rules and the models."""
