using MassTransit;
using McpOrch.Core.Batch.Messages;
using McpOrch.Core.Telemetry;

namespace McpOrch.Core.Batch;

/// <summary>Planner: plans a run, or starts scheduling one that came with its plan.</summary>
public sealed class PlanRunConsumer(RunCoordinator coordinator) : IConsumer<PlanRun>
{
    public Task Consume(ConsumeContext<PlanRun> context) => coordinator.PlanAsync(context.Message.RunId, context.CancellationToken);
}

/// <summary>Planner: a step ended; dispatch what became ready, or finish the run.</summary>
public sealed class StepFinishedConsumer(RunCoordinator coordinator) : IConsumer<StepFinished>
{
    public Task Consume(ConsumeContext<StepFinished> context) => coordinator.ScheduleAsync(context.Message.RunId, context.CancellationToken);
}

/// <summary>Executor: runs a step and tells the planner when its outcome is stored.</summary>
public sealed class ExecuteStepConsumer(StepExecutor executor) : IConsumer<ExecuteStep>
{
    public async Task Consume(ConsumeContext<ExecuteStep> context)
    {
        if (context.SentTime is { } sent)
            OrchTelemetry.StepQueued(DateTime.UtcNow - sent);
        if (await executor.ExecuteAsync(context.Message, context.CancellationToken))
            await context.Publish(new StepFinished(context.Message.RunId, context.Message.StepId));
    }
}

/// <summary>
/// Executors hold a message for as long as its step runs, mostly waiting on a tool: take many at once, whatever the
/// transport's default. <c>execution.max_parallel_tasks</c> bounds the calls of each run.
/// </summary>
public sealed class ExecuteStepConsumerDefinition : ConsumerDefinition<ExecuteStepConsumer>
{
    public const int ConcurrentSteps = 256;

    public ExecuteStepConsumerDefinition() => ConcurrentMessageLimit = ConcurrentSteps;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ExecuteStepConsumer> consumer,
        IRegistrationContext context) => endpoint.PrefetchCount = ConcurrentSteps;
}
