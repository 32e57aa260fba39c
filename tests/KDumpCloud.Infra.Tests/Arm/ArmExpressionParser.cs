namespace KDumpCloud.Infra.Tests.Arm;

/// <summary>
/// Parses one ARM template expression (the text between the outer brackets of <c>"[...]"</c>): function calls,
/// single-quoted strings (<c>''</c> escapes a quote), integers, property access <c>.name</c> and indexing
/// <c>[expr]</c>. One pass, nesting bounded, so a hostile template cannot make it slow or deep.
/// </summary>
internal sealed class ArmExpressionParser
{
    private const int MaxDepth = 64;
    private readonly string _text;
    private int _position;

    private ArmExpressionParser(string text) => _text = text;

    public static ArmNode Parse(string text)
    {
        var parser = new ArmExpressionParser(text);
        var node = parser.Expression(0);
        parser.SkipSpace();
        if (parser._position != text.Length)
        {
            throw parser.Error("unexpected text after the expression");
        }

        return node;
    }

    private ArmNode Expression(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error("expression nested too deeply");
        }

        SkipSpace();
        var node = Primary(depth);
        while (true)
        {
            SkipSpace();
            if (Peek('.'))
            {
                _position++;
                node = new ArmNode.Property(node, Identifier());
            }
            else if (Peek('['))
            {
                _position++;
                var index = Expression(depth + 1);
                Expect(']');
                node = new ArmNode.Index(node, index);
            }
            else
            {
                return node;
            }
        }
    }

    private ArmNode Primary(int depth)
    {
        if (Peek('\''))
        {
            return new ArmNode.Literal(StringLiteral());
        }

        if (_position < _text.Length && (char.IsAsciiDigit(_text[_position]) || _text[_position] == '-'))
        {
            var start = _position++;
            while (_position < _text.Length && char.IsAsciiDigit(_text[_position]))
            {
                _position++;
            }

            return new ArmNode.Literal(long.Parse(_text.AsSpan(start, _position - start), System.Globalization.CultureInfo.InvariantCulture));
        }

        var name = Identifier();
        SkipSpace();
        Expect('(');
        var arguments = new List<ArmNode>();
        SkipSpace();
        if (!Peek(')'))
        {
            while (true)
            {
                arguments.Add(Expression(depth + 1));
                SkipSpace();
                if (Peek(','))
                {
                    _position++;
                    continue;
                }

                break;
            }
        }

        Expect(')');
        return new ArmNode.Call(name, arguments);
    }

    private string StringLiteral()
    {
        Expect('\'');
        var builder = new System.Text.StringBuilder();
        while (true)
        {
            if (_position >= _text.Length)
            {
                throw Error("unterminated string");
            }

            var c = _text[_position++];
            if (c != '\'')
            {
                builder.Append(c);
            }
            else if (Peek('\''))
            {
                builder.Append('\'');
                _position++;
            }
            else
            {
                return builder.ToString();
            }
        }
    }

    private string Identifier()
    {
        SkipSpace();
        var start = _position;
        while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] is '_' or '$'))
        {
            _position++;
        }

        return _position > start ? _text[start.._position] : throw Error("identifier expected");
    }

    private void SkipSpace()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private bool Peek(char c) => _position < _text.Length && _text[_position] == c;

    private void Expect(char c)
    {
        if (!Peek(c))
        {
            throw Error($"'{c}' expected");
        }

        _position++;
    }

    private FormatException Error(string what) =>
        new($"{what} at {_position} in [{(_text.Length > 200 ? _text[..200] + "…" : _text)}]");
}

/// <summary>The parsed form of an ARM expression.</summary>
internal abstract record ArmNode
{
    public sealed record Literal(object Value) : ArmNode;

    public sealed record Call(string Name, IReadOnlyList<ArmNode> Arguments) : ArmNode;

    public sealed record Property(ArmNode Target, string Name) : ArmNode;

    public sealed record Index(ArmNode Target, ArmNode Key) : ArmNode;
}
