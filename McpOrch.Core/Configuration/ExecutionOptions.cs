using System.ComponentModel.DataAnnotations;

namespace McpOrch.Core.Configuration;

/// <summary>The <c>execution</c> section of <c>config.yaml</c>.</summary>
public sealed class ExecutionOptions
{
    /// <summary>How many tool calls of one batch run at once.</summary>
    [Range(1, 1000)]
    public int MaxParallelTasks { get; set; } = 10;

    /// <summary>How long one tool call may take; in <c>config.yaml</c> seconds (<c>300</c>) or a duration (<c>5m</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = "must be more than 0 and at most 1 day")]
    public TimeSpan TaskTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>The most steps a plan may have.</summary>
    [Range(1, 10000)]
    public int MaxPlanSteps { get; set; } = 100;

    /// <summary>The most elements a forEach step may run over.</summary>
    [Range(1, 100000)]
    public int MaxFanOut { get; set; } = 1000;

    /// <summary>How often a step is retried after a transient failure.</summary>
    [Range(0, 100)]
    public int RetryCount { get; set; } = 3;

    /// <summary>
    /// How long a batch step (or a planning call) stays with the worker that took it without a sign of life; the worker
    /// renews it every third of this time. When a worker dies, its work is handed to another after at most this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.300", "01:00:00", ErrorMessage = "must be between 300ms and 1h")]
    public TimeSpan StepLease { get; set; } = TimeSpan.FromSeconds(30);
}
