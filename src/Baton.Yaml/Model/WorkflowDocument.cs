using System.Text.Json.Nodes;
using Baton.AI;

namespace Baton.Yaml;

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

    /// <summary>Named agents.</summary>
    public IReadOnlyDictionary<string, AgentDefinition> Agents { get; init; } = new Dictionary<string, AgentDefinition>();

    /// <summary>The step that runs.</summary>
    public StepDefinition? Workflow { get; init; }

    /// <summary>Event subscriptions: a topic pattern and the steps each matching event starts (one run per step).</summary>
    public IReadOnlyList<(string Topic, StepDefinition Step)> Subscriptions { get; init; } = [];

    /// <summary>The run's limits.</summary>
    public RunLimits Limits { get; init; } = RunLimits.Default;
}

/// <summary>A named input.</summary>
public sealed record InputDefinition(string Name, string Type, JsonNode? Default, bool Required);

/// <summary>A named chat model: <c>openai</c> (any OpenAI-compatible endpoint) or <c>scripted</c>.</summary>
public sealed record ModelDefinition(string Name, string Provider)
{
    /// <summary>The OpenAI-compatible settings (secrets resolved from the environment at load time, never shown).</summary>
    public OpenAiCompatibleOptions? OpenAi { get; init; }

    /// <summary>The scripted model's settings.</summary>
    public ScriptedModelOptions? Scripted { get; init; }

    /// <summary>The resource its calls draw on.</summary>
    public string? Resource { get; init; }
}

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

/// <summary>A named agent.</summary>
public sealed record AgentDefinition(string Name, AgentKind Kind)
{
    /// <summary>The model's name, for a model agent.</summary>
    public string? Model { get; init; }

    /// <summary>The instructions template (the system message).</summary>
    public string? Instructions { get; init; }

    /// <summary>Tool names.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>The JSON schema the reply must satisfy, as JSON text; null for text output.</summary>
    public string? OutputSchema { get; init; }

    /// <summary>The tool-call loop bound.</summary>
    public int MaxTurns { get; init; } = 8;

    /// <summary>The resource its steps draw on.</summary>
    public string? Resource { get; init; }

    /// <summary>The template, for a template agent.</summary>
    public string? Template { get; init; }

    /// <summary>True to parse a template agent's result as JSON.</summary>
    public bool Json { get; init; }

    /// <summary>The nested workflow's step, for an inline workflow agent.</summary>
    public StepDefinition? Workflow { get; init; }

    /// <summary>The nested workflow's file, for a workflow agent defined in another file (resolved against this file's folder).</summary>
    public string? WorkflowFile { get; init; }
}
