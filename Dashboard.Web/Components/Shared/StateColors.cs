namespace Dashboard.Web.Components.Shared;

/// <summary>One colour per state, the same in badges, the DAG and the timeline.</summary>
public static class StateColors
{
    public static string For(string state) => state.ToLowerInvariant() switch
    {
        "healthy" or "succeeded" or "completed" => "#107c10",
        "running" or "planning" or "starting" => "#0f6cbd",
        "restarting" => "#bc4b09",
        "failed" or "down" => "#c50f1f",
        "canceled" or "cancelled" => "#8a8886",
        "skipped" or "disabled" => "#b4a0ff",
        // Not started: the neutral grey that anything unknown gets too.
        "pending" => "#605e5c",
        _ => "#605e5c",
    };
}
