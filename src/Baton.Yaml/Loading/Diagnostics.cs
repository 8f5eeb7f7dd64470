using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading;

/// <summary>Collects every problem of one file (not only the first), each at its position.</summary>
internal sealed class Diagnostics(string file)
{
    private readonly List<WorkflowFileError> _errors = [];
    private readonly List<WorkflowFileError> _warnings = [];

    public string File { get; } = file;

    /// <summary>True when an unset <c>${env.NAME}</c> is only a warning: the file is checked or drawn, never run.</summary>
    public bool SecretsOptional { get; init; }

    public IReadOnlyList<WorkflowFileError> Warnings => _warnings;

    /// <summary>A secret the environment does not give: an error for a file about to run, else a warning.</summary>
    public void AddMissingSecret(YamlNode node, string message)
    {
        if (SecretsOptional) _warnings.Add(new WorkflowFileError(File, (int)Math.Max(1, node.Start.Line), (int)Math.Max(1, node.Start.Column), message));
        else Add(node, message);
    }

    public IReadOnlyList<WorkflowFileError> Errors => _errors;

    public bool HasErrors => _errors.Count > 0;

    public void Add(Mark mark, string message) => _errors.Add(new WorkflowFileError(File, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column), message));

    public void Add(YamlNode node, string message) => Add(node.Start, message);

    /// <summary>An error at a position inside a scalar's text (an expression's or template's own line and column).</summary>
    public void AddInside(YamlScalarNode node, int line, int column, string message)
    {
        var start = node.Start;
        // A plain or quoted scalar on one line: offset the column; block scalars start on the next line.
        var quoted = node.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ? 1 : 0;
        var block = node.Style is ScalarStyle.Literal or ScalarStyle.Folded;
        var fileLine = (int)start.Line + line - 1 + (block ? 1 : 0);
        var fileColumn = line == 1 && !block ? (int)start.Column + quoted + column - 1 : column;
        _errors.Add(new WorkflowFileError(File, Math.Max(1, fileLine), Math.Max(1, fileColumn), message));
    }

    /// <summary>Orders errors by position, for a stable report.</summary>
    public IReadOnlyList<WorkflowFileError> Sorted() => [.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ThenBy(e => e.Message, StringComparer.Ordinal)];
}
