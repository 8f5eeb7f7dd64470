using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Model;

/// <summary>A named agent.</summary>
/// <param name="Name">The agent's name.</param>
/// <param name="Kind">Model, template or workflow agent.</param>
public sealed record AgentDefinition(string Name, AgentKind Kind)
{
    /// <summary>What the agent does (<c>description</c>), or null.</summary>
    public string? Description { get; init; }

    /// <summary>The model's name, for a model agent.</summary>
    public string? Model { get; init; }

    /// <summary>The instructions template (the system message).</summary>
    public string? Instructions { get; init; }

    /// <summary>Tool names.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Where each tool name is written (line, column), for errors about a tool that does not exist.</summary>
    public IReadOnlyDictionary<string, (int Line, int Column)> ToolPositions { get; init; } = new Dictionary<string, (int Line, int Column)>();

    /// <summary>Its guardrails; null for none.</summary>
    public GuardrailsDefinition? Guardrails { get; init; }

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
