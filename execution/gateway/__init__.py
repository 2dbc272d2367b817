"""Broker gateways: the simulated A-share broker, real gateways by name, reconnection."""
