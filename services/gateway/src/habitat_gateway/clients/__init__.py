"""HTTP clients for the services the gateway fronts."""
