using System.Text;

namespace Baton.AI;

/// <summary>Collects a render's output, refusing more than <see cref="PromptTemplate.OutputLimit"/> characters and stopping when cancelled.</summary>
internal sealed class BoundedTemplateWriter(CancellationToken cancellationToken) : TextWriter
{
    private readonly StringBuilder _builder = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Write(new ReadOnlySpan<char>(in value));

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(ReadOnlySpan<char> buffer)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_builder.Length + (long)buffer.Length > PromptTemplate.OutputLimit)
        {
            throw new TemplateLimitException($"it rendered more than {PromptTemplate.OutputLimit} characters");
        }

        _builder.Append(buffer);
    }

    public override string ToString() => _builder.ToString();
}
