using System.Text.Json.Nodes;

namespace Baton.Yaml.Model.Steps;

/// <summary><c>emit</c>: publish an event.</summary>
/// <param name="Topic">The topic, a template rendered with the same variables as the data.</param>
/// <param name="Data">The data, whose strings are templates; null for none.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record EmitDefinition(string Topic, JsonNode? Data, int Line, int Column) : StepDefinition(Line, Column);
