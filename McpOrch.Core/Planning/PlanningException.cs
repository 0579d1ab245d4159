namespace McpOrch.Core.Planning;

/// <summary>No valid plan came out of the model; the message says why, with the last validation errors.</summary>
public sealed class PlanningException(string message, Exception? inner = null) : Exception(message, inner);
