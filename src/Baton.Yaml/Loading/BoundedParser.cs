using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Baton.Yaml.Loading;

/// <summary>
/// A parser that counts what a YAML text expands to — every value, with each alias counted as the whole value it
/// repeats — and how deep it nests, and stops at <see cref="WorkflowFileLimits"/>. The YAML library keeps an alias as
/// a shared node, but every reader that turns YAML into JSON or objects copies it: ten nested anchors of ten aliases
/// each (656 bytes) are ten billion values. Counting the events is linear in the text, so the bound holds before any
/// copy is made; the depth bound also keeps the library's recursive loading off the end of the stack.
/// </summary>
internal sealed class BoundedParser(IParser inner) : IParser
{
    private readonly Dictionary<AnchorName, (long Nodes, int Height)> _anchors = [];
    private readonly Stack<Frame> _open = new();
    private long _nodes;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext()) return false;
        switch (inner.Current)
        {
            case AnchorAlias alias:
                // An alias to an anchor not (yet) defined is the library's error to report; it counts as one value here.
                Produced(alias, _anchors.TryGetValue(alias.Value, out var repeated) ? repeated : (1, 0));
                break;
            case Scalar scalar:
                if (!scalar.Anchor.IsEmpty) _anchors[scalar.Anchor] = (1, 0);
                Produced(scalar, (1, 0));
                break;
            case NodeEvent start when start is SequenceStart or MappingStart:
                if (_open.Count >= WorkflowFileLimits.MaxDepth)
                {
                    throw new YamlLimitException(start.Start, $"the file nests lists and maps deeper than {WorkflowFileLimits.MaxDepth} levels");
                }

                _open.Push(new Frame(start.Anchor));
                break;
            case SequenceEnd or MappingEnd when _open.Count > 0:
                var closed = _open.Pop();
                var value = (closed.Nodes + 1, closed.Height + 1);
                if (!closed.Anchor.IsEmpty) _anchors[closed.Anchor] = value;
                Produced(inner.Current, value);
                break;
        }

        return true;
    }

    /// <summary>Adds a value that ends here (a scalar, an alias's copy, or a closed list or map) to what its parent holds.</summary>
    private void Produced(ParsingEvent at, (long Nodes, int Height) value)
    {
        // An alias adds every value it copies; a closed list or map adds only itself, its children were added as they came.
        _nodes += at is AnchorAlias ? value.Nodes : 1;
        if (_nodes > WorkflowFileLimits.MaxNodes)
        {
            throw new YamlLimitException(at.Start, at is AnchorAlias
                ? $"the file expands to more than {WorkflowFileLimits.MaxNodes} values once its aliases are copied (this alias repeats {value.Nodes})"
                : $"the file has more than {WorkflowFileLimits.MaxNodes} values");
        }

        if (_open.Count + value.Height > WorkflowFileLimits.MaxDepth)
        {
            throw new YamlLimitException(at.Start, $"the file nests lists and maps deeper than {WorkflowFileLimits.MaxDepth} levels once its aliases are copied");
        }

        if (_open.TryPeek(out var parent))
        {
            parent.Nodes += value.Nodes;
            parent.Height = Math.Max(parent.Height, value.Height);
        }
    }

    private sealed class Frame(AnchorName anchor)
    {
        public AnchorName Anchor { get; } = anchor;

        public long Nodes { get; set; }

        public int Height { get; set; }
    }
}
