using Microsoft.Extensions.Compliance.Classification;

namespace Baton.Compliance;

/// <summary>Marks a logged value as <see cref="BatonDataClassifications.Content"/>: what agents read and write.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.ReturnValue, AllowMultiple = true)]
public sealed class ContentAttribute : DataClassificationAttribute
{
    /// <summary>Classifies the target as content.</summary>
    public ContentAttribute() : base(BatonDataClassifications.Content)
    {
    }
}
