"""Return requests (RMAs): filing, deciding, receiving, inspecting, completing."""
