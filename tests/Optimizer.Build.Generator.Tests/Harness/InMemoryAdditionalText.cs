using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Optimizer.Build.Generator.Tests.Harness;

/// <summary>An AdditionalFile held in memory, as MSBuild would pass a manifest.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}
