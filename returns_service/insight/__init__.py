"""The customer's voice: reasons and comments by product, jump alerts, satisfaction."""
