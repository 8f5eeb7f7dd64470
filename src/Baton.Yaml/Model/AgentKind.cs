namespace Baton.Yaml.Model;

/// <summary>What kind of agent a definition makes.</summary>
public enum AgentKind
{
    /// <summary>A language model with instructions and tools.</summary>
    Model,

    /// <summary>A rendered template, no model.</summary>
    Template,

    /// <summary>A nested workflow (inline, or another file).</summary>
    Workflow,
}
