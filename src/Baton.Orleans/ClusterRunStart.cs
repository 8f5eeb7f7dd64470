namespace Baton.Orleans;

/// <summary>What a run grain needs to start a run: its workflow's name (and stored definition) and its input as JSON.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterRunStart
{
    /// <summary>The workflow's name: a workflow the workers know, or the one <see cref="Definition"/> rebuilds.</summary>
    [Id(0)] public required string Workflow { get; init; }

    /// <summary>The run's input: its text, or its JSON when <see cref="InputIsJson"/>; null for none.</summary>
    [Id(1)] public string? Input { get; init; }

    /// <summary>True when <see cref="Input"/> is JSON rather than text.</summary>
    [Id(5)] public bool InputIsJson { get; init; }

    /// <summary>The input as the payload the run receives.</summary>
    public Payload ToPayload() => Input is null ? Payload.Empty : InputIsJson ? Payload.ParseJson(Input) : Payload.FromText(Input);

    /// <summary>A payload as a start's input.</summary>
    public static (string? Input, bool IsJson) FromPayload(Payload? payload) => payload is null || payload.IsEmpty ? (null, false) : (payload.AsText(), payload.Kind == PayloadKind.Json);

    /// <summary>The workflow's stored definition (a workflow file's text and the files it refers to), so any worker can build it.</summary>
    [Id(2)] public string? Definition { get; init; }

    /// <summary>Where the workflow came from (a file's path), recorded with the run.</summary>
    [Id(3)] public string? Source { get; init; }

    /// <summary>The run that started this one, for child runs.</summary>
    [Id(4)] public string? ParentRunId { get; init; }
}
