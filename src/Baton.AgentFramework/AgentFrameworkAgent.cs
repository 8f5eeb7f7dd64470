using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Baton.AgentFramework;

/// <summary>
/// A Microsoft Agent Framework <see cref="AIAgent"/> as a Baton agent: its input becomes the user message, the MAF
/// agent's reply its output (with token usage). The agent's session (its conversation) is kept in the run's private
/// state for this agent and committed with each step, so every step of the same agent in a run continues one
/// conversation — also after a crash or a restart, when a resumed run reads the session back from its journal.
/// </summary>
public sealed class AgentFrameworkAgent : IAgent
{
    /// <summary>The private state variable that holds the serialized session.</summary>
    public const string SessionState = "maf.session";

    private readonly AIAgent _agent;

    /// <summary>Wraps <paramref name="agent"/>.</summary>
    /// <param name="agent">The MAF agent.</param>
    /// <param name="name">The Baton agent's name (its steps' id by default); the MAF agent's name, else its id, when null.</param>
    public AgentFrameworkAgent(AIAgent agent, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        _agent = agent;
        Name = name ?? agent.Name ?? agent.Id;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The wrapped MAF agent.</summary>
    public AIAgent Inner => _agent;

    /// <inheritdoc/>
    public async ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        var session = context.PrivateState.TryGet(SessionState, out var saved) && saved.Kind == PayloadKind.Json
            ? await _agent.DeserializeSessionAsync(saved.AsJson(), cancellationToken: cancellationToken).ConfigureAwait(false)
            : await _agent.CreateSessionAsync(cancellationToken).ConfigureAwait(false);
        var response = await _agent.RunAsync(new ChatMessage(ChatRole.User, input.AsText()), session, cancellationToken: cancellationToken).ConfigureAwait(false);
        // Committed with the step: a step that fails, or is re-run after a crash, starts from the last committed conversation.
        var serialized = await _agent.SerializeSessionAsync(session, cancellationToken: cancellationToken).ConfigureAwait(false);
        context.SetPrivateState(SessionState, Payload.FromJson(serialized));
        var usage = response.Usage is { } u ? new Usage(u.InputTokenCount ?? 0, u.OutputTokenCount ?? 0, 0m) : Usage.None;
        return AgentResult.Success(Output(response.Text), usage: usage);
    }

    /// <summary>A reply that is a JSON object or array stays JSON (a structured reply); anything else is text.</summary>
    private static Payload Output(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length > 1 && (trimmed[0] == '{' || trimmed[0] == '['))
        {
            try
            {
                return Payload.ParseJson(text);
            }
            catch (JsonException)
            {
                // Text that only looks like JSON stays text.
            }
        }

        return Payload.FromText(text);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
