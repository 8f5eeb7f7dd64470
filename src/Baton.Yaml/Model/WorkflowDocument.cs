using Baton.Yaml.Model.Steps;
using Baton.Yaml.Providers;

namespace Baton.Yaml.Model;

/// <summary>A workflow file read into typed definitions, every problem collected with its position.</summary>
public sealed record WorkflowDocument
{
    /// <summary>The file's path as given.</summary>
    public required string File { get; init; }

    /// <summary>The workflow's name.</summary>
    public string Name { get; init; } = "workflow";

    /// <summary>What it does.</summary>
    public string? Description { get; init; }

    /// <summary>Named inputs, in file order.</summary>
    public IReadOnlyList<InputDefinition> Inputs { get; init; } = [];

    /// <summary>Named chat models.</summary>
    public IReadOnlyDictionary<string, ModelDefinition> Models { get; init; } = new Dictionary<string, ModelDefinition>();

    /// <summary>Named quotas.</summary>
    public IReadOnlyDictionary<string, ResourceOptions> Resources { get; init; } = new Dictionary<string, ResourceOptions>();

    /// <summary>Named tools (<c>tools:</c>): MCP servers and agents as tools.</summary>
    public IReadOnlyDictionary<string, ToolDefinition> Tools { get; init; } = new Dictionary<string, ToolDefinition>();

    /// <summary>Named agents.</summary>
    public IReadOnlyDictionary<string, AgentDefinition> Agents { get; init; } = new Dictionary<string, AgentDefinition>();

    /// <summary>The step that runs.</summary>
    public StepDefinition? Workflow { get; init; }

    /// <summary>Event subscriptions: a topic pattern and the steps each matching event starts (one run per step).</summary>
    public IReadOnlyList<(string Topic, StepDefinition Step)> Subscriptions { get; init; } = [];

    /// <summary>The run's limits (with the file's defaults applied: see <c>docs/workflow-files.md</c>).</summary>
    public RunLimits Limits { get; init; } = Loading.LimitsReader.Defaults;

    /// <summary>The model providers the file was read with; files it includes are read with the same ones.</summary>
    public ModelProviders Providers { get; init; } = ModelProviders.Default;
}
