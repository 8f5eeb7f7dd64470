using Baton.Yaml;

namespace Baton.Soak.Fuzz;

/// <summary>
/// The rules a workflow file's loader keeps whatever the file holds: a document, or errors that each have a message and a
/// position inside the file; and a document that loads builds into a workflow.
/// </summary>
public static class WorkflowFileCheck
{
    /// <summary>Reads (and, when valid, builds) <paramref name="text"/>; throws <see cref="FuzzFailure"/> for a broken rule.</summary>
    public static FuzzOutcome Check(string text)
    {
        var result = WorkflowFile.Read(text, "fuzz.yaml");
        if (result.IsValid)
        {
            if (result.Document is null) throw new FuzzFailure("valid, yet no document");
            // A document that loaded must build: every reference was checked when it loaded.
            WorkflowFile.Build(result.Document);
            return FuzzOutcome.Accepted;
        }

        if (result.Document is not null) throw new FuzzFailure("errors, yet a document");
        var lines = text.Split('\n').Length;
        foreach (var error in result.Errors)
        {
            if (error.Line < 1 || error.Line > lines + 1 || error.Column < 1) throw new FuzzFailure($"error outside the file ({lines} lines): {error}\n---\n{Clip(text)}");
            if (string.IsNullOrWhiteSpace(error.Message)) throw new FuzzFailure($"an error without a message at {error.Line}:{error.Column}\n---\n{Clip(text)}");
        }

        return FuzzOutcome.Refused;
    }

    /// <summary>The start of a long input, for a failure's message.</summary>
    public static string Clip(string text) => text.Length <= 2000 ? text : text[..2000] + $"… ({text.Length} characters)";
}
