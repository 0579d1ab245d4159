using System.Diagnostics.Metrics;
using McpOrch.Core.Telemetry;

namespace McpOrch.Core.Tests.Telemetry;

public sealed class OrchTelemetryTests
{
    [Fact]
    public void Every_duration_histogram_in_seconds_has_buckets_from_a_millisecond_up()
    {
        _ = OrchTelemetry.Source; // the instruments are made with the class
        List<Histogram<double>> seconds = [];
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == OrchTelemetry.Name && instrument is Histogram<double> { Unit: "s" } histogram)
                    seconds.Add(histogram);
            },
        };
        listener.Start();

        Assert.Equal(["mcp_orch.batch.queue_wait", "mcp_orch.tool_call.duration"], seconds.Select(h => h.Name).Order());
        foreach (var histogram in seconds)
        {
            var buckets = histogram.Advice?.HistogramBucketBoundaries;
            Assert.NotNull(buckets);
            Assert.Equal(0.001, buckets[0]);
            Assert.Contains(0.005, buckets);
            Assert.Equal(buckets.Order(), buckets);
        }
    }
}
