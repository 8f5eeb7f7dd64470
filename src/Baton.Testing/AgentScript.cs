namespace Baton.Testing;

/// <summary>
/// The scripted agents of one test; disposing it verifies each was called exactly as scripted,
/// so <c>using var script = new AgentScript();</c> makes every test check its call counts.
/// </summary>
public sealed class AgentScript : IDisposable
{
    private readonly List<ScriptedAgent> _agents = [];
    private bool _disposed;

    /// <summary>A new scripted agent, verified when the script is disposed.</summary>
    public ScriptedAgent Agent(string name)
    {
        var agent = new ScriptedAgent(name);
        _agents.Add(agent);
        return agent;
    }

    /// <summary>Verifies every agent now; throws listing every mismatch.</summary>
    public void Verify()
    {
        var problems = new List<string>();
        foreach (var agent in _agents)
        {
            try
            {
                agent.Verify();
            }
            catch (ScriptMismatchException ex)
            {
                problems.Add(ex.Message);
            }
        }

        if (problems.Count > 0) throw new ScriptMismatchException(string.Join(Environment.NewLine, problems));
    }

    /// <summary>Verifies every agent (once).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Verify();
    }
}
