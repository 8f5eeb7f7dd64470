using System.Text.Json;
using Microsoft.Agents.AI;

namespace Baton.AgentFramework;

/// <summary>The MAF session of a <see cref="WorkflowAIAgent"/>: the ids of the Baton runs it started, oldest first.</summary>
public sealed class WorkflowAgentSession : AgentSession
{
    private readonly List<string> _runIds;

    /// <summary>A new session, with no runs yet.</summary>
    public WorkflowAgentSession()
        : this([])
    {
    }

    private WorkflowAgentSession(List<string> runIds) => _runIds = runIds;

    /// <summary>The runs this session started, oldest first.</summary>
    public IReadOnlyList<string> RunIds => _runIds;

    internal void Add(string runId)
    {
        lock (_runIds) _runIds.Add(runId);
    }

    internal JsonElement Serialize()
    {
        lock (_runIds) return JsonSerializer.SerializeToElement(new { runs = _runIds.ToArray() });
    }

    internal static WorkflowAgentSession Deserialize(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("runs", out var runs) || runs.ValueKind != JsonValueKind.Array)
        {
            throw new ArgumentException("a workflow agent's session is a JSON object { runs: [run ids] }", nameof(json));
        }

        return new WorkflowAgentSession([.. runs.EnumerateArray().Select(r => r.GetString() ?? throw new ArgumentException("a run id must be text", nameof(json)))]);
    }
}
