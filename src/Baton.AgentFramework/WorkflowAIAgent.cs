using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Baton.AgentFramework;

/// <summary>
/// A Baton workflow as a Microsoft Agent Framework <see cref="AIAgent"/>: each run of the agent is a durable Baton run
/// of the workflow on the given runtime, its input the text of the messages given, its reply the run's output. Streamed,
/// every step's start and end comes as an update (no text; the <see cref="RunEvent"/> as its raw representation and
/// <c>baton.*</c> properties), then the output as the reply's text with the run's token usage. A run that fails or is
/// cancelled throws <see cref="WorkflowRunException"/>; a run waiting for a person answers with the question and
/// <c>baton.status</c> = <c>waiting</c> (answer it with <c>runtime.Humans</c>).
/// </summary>
public sealed class WorkflowAIAgent : AIAgent
{
    /// <summary>The additional property naming the Baton run (on the response and every update).</summary>
    public const string RunIdProperty = "baton.runId";

    /// <summary>The additional property with the run's status (on the response), or the event's kind (on an update).</summary>
    public const string StatusProperty = "baton.status";

    /// <summary>The additional property with the step's path in the run (on a step's update).</summary>
    public const string StepProperty = "baton.step";

    private readonly BatonRuntime _runtime;
    private readonly Workflow _workflow;

    /// <summary>Exposes <paramref name="workflow"/>, run on <paramref name="runtime"/>.</summary>
    /// <param name="runtime">Runs the workflow (and keeps its runs in its store).</param>
    /// <param name="workflow">The workflow.</param>
    /// <param name="name">The agent's name; the workflow's name when null.</param>
    public WorkflowAIAgent(BatonRuntime runtime, Workflow workflow, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(workflow);
        _runtime = runtime;
        _workflow = workflow;
        Name = name ?? workflow.Name;
    }

    /// <inheritdoc/>
    public override string? Name { get; }

    /// <inheritdoc/>
    public override string? Description => _workflow.Description;

    /// <inheritdoc/>
    protected override ValueTask<AgentSession> CreateSessionCoreAsync(CancellationToken cancellationToken = default) =>
        new(new WorkflowAgentSession());

    /// <inheritdoc/>
    protected override ValueTask<JsonElement> SerializeSessionCoreAsync(AgentSession session, JsonSerializerOptions? jsonSerializerOptions = null, CancellationToken cancellationToken = default) =>
        new(Own(session).Serialize());

    /// <inheritdoc/>
    protected override ValueTask<AgentSession> DeserializeSessionCoreAsync(JsonElement serializedState, JsonSerializerOptions? jsonSerializerOptions = null, CancellationToken cancellationToken = default) =>
        new(WorkflowAgentSession.Deserialize(serializedState));

    /// <inheritdoc/>
    protected override async Task<AgentResponse> RunCoreAsync(IEnumerable<ChatMessage> messages, AgentSession? session = null, AgentRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        var handle = Start(messages, session, cancellationToken);
        HumanRequest? question = null;
        try
        {
            await foreach (var e in handle.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                if (e is StepWaitingForHumanEvent waiting) question = waiting.Request;
                if (e is StepWaitingForHumanEvent or RunEndedEvent) break;
            }
        }
        finally
        {
            await StopIfAbandonedAsync(handle, cancellationToken).ConfigureAwait(false);
        }

        RunResult? result = question is null ? await handle.Completion.ConfigureAwait(false) : null;
        var (text, status) = result is null ? (question!.Prompt, Status(RunStatus.Waiting)) : Reply(result);
        return new AgentResponse(new ChatMessage(ChatRole.Assistant, text) { AuthorName = Name, MessageId = handle.RunId })
        {
            AgentId = Id,
            ResponseId = handle.RunId,
            Usage = result is null ? null : UsageOf(result.Usage),
            AdditionalProperties = new AdditionalPropertiesDictionary { [RunIdProperty] = handle.RunId, [StatusProperty] = status },
        };
    }

    /// <inheritdoc/>
    protected override async IAsyncEnumerable<AgentResponseUpdate> RunCoreStreamingAsync(IEnumerable<ChatMessage> messages, AgentSession? session = null, AgentRunOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var handle = Start(messages, session, cancellationToken);
        HumanRequest? question = null;
        try
        {
            await foreach (var e in handle.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                var update = e switch
                {
                    StepStartedEvent started => Progress(started, "step_started", started.Key, started.Agent ?? started.StepId),
                    StepCompletedEvent completed => Progress(completed, "step_completed", completed.Key, completed.StepId),
                    StepFailedEvent failed => Progress(failed, "step_failed", failed.Key, failed.StepId),
                    StepWaitingForHumanEvent waiting => Progress(waiting, "step_waiting", waiting.Key, null),
                    _ => null,
                };
                if (update is not null) yield return update;
                if (e is StepWaitingForHumanEvent asked) question = asked.Request;
                if (e is StepWaitingForHumanEvent or RunEndedEvent) break;
            }
        }
        finally
        {
            await StopIfAbandonedAsync(handle, cancellationToken).ConfigureAwait(false);
        }

        RunResult? result = question is null ? await handle.Completion.ConfigureAwait(false) : null;
        var (text, status) = result is null ? (question!.Prompt, Status(RunStatus.Waiting)) : Reply(result);
        List<AIContent> contents = [new TextContent(text)];
        if (result is not null) contents.Add(new UsageContent(UsageOf(result.Usage)));
        yield return new AgentResponseUpdate(ChatRole.Assistant, contents)
        {
            AgentId = Id,
            AuthorName = Name,
            ResponseId = handle.RunId,
            MessageId = handle.RunId,
            AdditionalProperties = new AdditionalPropertiesDictionary { [RunIdProperty] = handle.RunId, [StatusProperty] = status },
        };
    }

    /// <summary>
    /// When the caller gave up (cancelled), the run is cancelled and has ended, consistently, before the call throws. A
    /// run that waits for a person is left waiting: an answer through <c>runtime.Humans</c> continues it.
    /// </summary>
    private static async Task StopIfAbandonedAsync(RunHandle handle, CancellationToken cancellationToken)
    {
        if (!cancellationToken.IsCancellationRequested || handle.Completion.IsCompleted) return;
        handle.Cancel();
        await ((Task)handle.Completion).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private RunHandle Start(IEnumerable<ChatMessage> messages, AgentSession? session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var own = session is null ? null : Own(session);
        // The workflow's input is what the caller said: the text of every message but the system's, one a line.
        var input = string.Join("\n", messages.Where(m => m.Role != ChatRole.System).Select(m => m.Text).Where(t => t.Length > 0));
        var handle = _runtime.Start(_workflow, Payload.FromText(input), cancellationToken: cancellationToken);
        own?.Add(handle.RunId);
        return handle;
    }

    /// <summary>The reply of a run that ended: its output and status; a failure or cancellation throws.</summary>
    private static (string Text, string Status) Reply(RunResult result) => result.Status switch
    {
        RunStatus.Succeeded => (result.Output?.AsText() ?? string.Empty, Status(result.Status)),
        _ => throw new WorkflowRunException(result),
    };

    private AgentResponseUpdate Progress(RunEvent e, string kind, string key, string? author) =>
        new(ChatRole.Assistant, (IList<AIContent>)[])
        {
            AgentId = Id,
            AuthorName = author,
            ResponseId = e.RunId,
            CreatedAt = e.Timestamp,
            RawRepresentation = e,
            AdditionalProperties = new AdditionalPropertiesDictionary { [RunIdProperty] = e.RunId, [StatusProperty] = kind, [StepProperty] = key },
        };

    private static string Status(RunStatus status) => status.ToString().ToLowerInvariant();

    private static UsageDetails UsageOf(Usage usage) =>
        new() { InputTokenCount = usage.InputTokens, OutputTokenCount = usage.OutputTokens, TotalTokenCount = usage.TotalTokens };

    private static WorkflowAgentSession Own(AgentSession session) =>
        session as WorkflowAgentSession ?? throw new ArgumentException($"the session was made by another agent ({session.GetType().Name}); use this agent's CreateSessionAsync", nameof(session));
}
