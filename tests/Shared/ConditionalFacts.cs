namespace Optimizer.Tests.Shared;

/// <summary>
/// A fact that runs only where what it needs is present: folders or files of <c>../shared</c>
/// (real models, the conformance suite) and the <see cref="Needs"/> named. Elsewhere it is
/// reported as skipped, with every reason, never as passed. The one conditional-skip attribute of
/// the test projects (tests/Shared is linked into each).
/// </summary>
internal sealed class ConditionalFactAttribute : FactAttribute
{
    /// <param name="shared">Paths under <c>../shared</c> the test reads, e.g. <c>"data/models"</c>.</param>
    public ConditionalFactAttribute(params string[] shared) => Skip = TestNeeds.SkipReason(Needs.None, shared);

    /// <param name="needs">What else the test needs (a platform, a tool, the packed feed).</param>
    /// <param name="shared">Paths under <c>../shared</c> the test reads, e.g. <c>"data/models"</c>.</param>
    public ConditionalFactAttribute(Needs needs, params string[] shared) => Skip = TestNeeds.SkipReason(needs, shared);
}

/// <summary>The theory form of <see cref="ConditionalFactAttribute"/>.</summary>
internal sealed class ConditionalTheoryAttribute : TheoryAttribute
{
    /// <param name="shared">Paths under <c>../shared</c> the test reads, e.g. <c>"data/models"</c>.</param>
    public ConditionalTheoryAttribute(params string[] shared) => Skip = TestNeeds.SkipReason(Needs.None, shared);

    /// <param name="needs">What else the test needs (a platform, a tool, the packed feed).</param>
    /// <param name="shared">Paths under <c>../shared</c> the test reads, e.g. <c>"data/models"</c>.</param>
    public ConditionalTheoryAttribute(Needs needs, params string[] shared) => Skip = TestNeeds.SkipReason(needs, shared);
}
