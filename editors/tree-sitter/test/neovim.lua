-- Neovim's own tree-sitter runtime reads the grammar (run by check.sh): the parser built as the
-- docs say (parser/infra.so and queries/infra on 'runtimepath') loads, every query compiles
-- with Neovim's query engine, and the sample parses without error with the expected captures.
-- Usage: INFRA_TS_RTP=<dir with parser/ and queries/> INFRA_TS_SAMPLE=<file> nvim --headless
--   --clean -u NONE -c 'luafile neovim.lua'
local function run()
  vim.opt.runtimepath:append(os.getenv('INFRA_TS_RTP'))
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('INFRA_TS_SAMPLE')))
  vim.bo.filetype = 'infra'
  local get = vim.treesitter.query.get or vim.treesitter.query.get_query
  local tree = vim.treesitter.get_parser(0, 'infra'):parse()[1]
  assert(not tree:root():has_error(), 'the sample has a syntax error in Neovim')
  for _, name in ipairs({ 'highlights', 'locals', 'injections', 'indents' }) do
    assert(get('infra', name), 'no ' .. name .. ' query')
  end
  -- The sample's first statement keyword (`param`) is a keyword, as in the CLI's highlight test.
  local target = vim.fn.search('^param', 'n') - 1
  assert(target >= 0, 'no `param` line in the sample')
  local hl = get('infra', 'highlights')
  local first
  for id, node in hl:iter_captures(tree:root(), 0, target, target + 1) do
    local row, col = node:range()
    if row == target and col == 0 and not first then
      first = hl.captures[id]
    end
  end
  assert(first == 'keyword', 'the first token is captured as ' .. tostring(first))
  io.stdout:write('neovim ' .. tostring(vim.version().major) .. '.' .. tostring(vim.version().minor)
    .. ': parser loaded, 4 queries compiled, sample parsed\n')
end

local ok, err = pcall(run)
if ok then
  vim.cmd('qall!')
else
  io.stderr:write('error: ' .. tostring(err) .. '\n')
  vim.cmd('cquit 1')
end
