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
            // A document that loaded must build: every reference was checked when it loaded, but for a tool name the
            // file does not define, which the host's model agent factory may know (a registered or MCP tool): that one
            // is resolved when the file is built, and refused there by name at the agent's tool, with its position.
            try
            {
                WorkflowFile.Build(result.Document);
            }
            catch (WorkflowFileException unknownTool) when (unknownTool.Errors.Count > 0 && unknownTool.Errors.All(e => e.Message.Contains("names tool", StringComparison.Ordinal)))
            {
                CheckPositions(text, unknownTool.Errors);
                return FuzzOutcome.Refused;
            }

            return FuzzOutcome.Accepted;
        }

        if (result.Document is not null) throw new FuzzFailure("errors, yet a document");
        CheckPositions(text, result.Errors);
        return FuzzOutcome.Refused;
    }

    private static void CheckPositions(string text, IEnumerable<WorkflowFileError> errors)
    {
        var lines = text.Split('\n').Length;
        foreach (var error in errors)
        {
            if (error.Line < 1 || error.Line > lines + 1 || error.Column < 1) throw new FuzzFailure($"error outside the file ({lines} lines): {error}\n---\n{Clip(text)}");
            if (string.IsNullOrWhiteSpace(error.Message)) throw new FuzzFailure($"an error without a message at {error.Line}:{error.Column}\n---\n{Clip(text)}");
        }
    }

    /// <summary>The start of a long input, for a failure's message.</summary>
    public static string Clip(string text) => text.Length <= 2000 ? text : text[..2000] + $"… ({text.Length} characters)";
}
