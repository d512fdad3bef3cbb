-- A real editor against `infra lsp`: headless Neovim (0.7 and later) opens a project, attaches
-- the server the way an `init.lua` does (filetype `infra`, one client, every buffer of the
-- filetype attached), waits for the diagnostics, applies the "did you mean" quick fix, renames a
-- resource across two files, and checks what the buffers then hold. Any failed check ends Neovim
-- with exit code 1 and the reason on stderr. Run by tests/editor_neovim.rs:
--   INFRA_BIN=... INFRA_PROJECT=... INFRA_REPO=... nvim --headless --clean -u NONE -c 'luafile lsp_e2e.lua'

local bin = os.getenv('INFRA_BIN')
local project = os.getenv('INFRA_PROJECT')
local repo = os.getenv('INFRA_REPO')
local PATIENCE = 60000

local function say(msg)
  io.stdout:write('neovim e2e: ' .. msg .. '\n')
end

local function check(cond, msg)
  if not cond then
    error(msg, 2)
  end
end

local published = {} -- uri -> { count = n, diagnostics = list } (raw LSP diagnostics)
local messages = {} -- window/showMessage texts
local exit_code -- the server's, once it has ended

local function run()
  check(bin and project and repo, 'INFRA_BIN, INFRA_PROJECT and INFRA_REPO must be set')
  local main = project .. '/main.infra'
  local outputs = project .. '/outputs.infra'
  local main_uri = vim.uri_from_fname(main)
  local outputs_uri = vim.uri_from_fname(outputs)

  -- The filetype comes from the repository's Vim files (editors/vim/ftdetect), as the docs say.
  -- (Neovim enabled filetype detection before this script ran, so ftdetect is sourced here;
  -- an init.lua that appends to 'runtimepath' gets it at startup.)
  vim.opt.runtimepath:append(repo .. '/editors/vim')
  vim.cmd('filetype plugin indent on')
  vim.cmd('runtime! ftdetect/infra.vim')
  local client_id = vim.lsp.start_client({
    name = 'infra',
    cmd = { bin, 'lsp' },
    root_dir = project,
    on_exit = function(code)
      exit_code = code
    end,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        local seen = published[result.uri] or { count = 0 }
        published[result.uri] = { count = seen.count + 1, diagnostics = result.diagnostics }
        return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      end,
      ['window/showMessage'] = function(_, result)
        table.insert(messages, result.message)
      end,
    },
  })
  check(client_id, 'Neovim could not start `' .. bin .. ' lsp`')
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'infra',
    callback = function(args)
      vim.lsp.buf_attach_client(args.buf, client_id)
    end,
  })

  vim.cmd('edit ' .. vim.fn.fnameescape(main))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == 'infra', 'main.infra did not get the infra filetype')

  -- 1. Diagnostics arrive for the typo `rbca`.
  local ok = vim.wait(PATIENCE, function()
    return published[main_uri] ~= nil and #published[main_uri].diagnostics > 0
  end, 20)
  check(ok, 'no diagnostics for main.infra within ' .. PATIENCE .. ' ms')
  local typo
  for _, d in ipairs(published[main_uri].diagnostics) do
    if d.code == 'E0300' and d.message:find('rbca', 1, true) then
      typo = d
    end
  end
  check(typo, 'no E0300 diagnostic about `rbca`: ' .. vim.inspect(published[main_uri].diagnostics))
  check(#vim.diagnostic.get(buf) > 0, 'Neovim shows no diagnostic in the buffer')
  say('diagnostics received: ' .. typo.message)

  local client = vim.lsp.get_client_by_id(client_id)
  local encoding = client.offset_encoding or 'utf-16'

  -- 2. The quick fix replaces `rbca` with `rbac`, and the diagnostic goes away.
  local reply = client.request_sync('textDocument/codeAction', {
    textDocument = { uri = main_uri },
    range = typo.range,
    context = { diagnostics = { typo } },
  }, PATIENCE, buf)
  check(reply and reply.result, 'no answer to textDocument/codeAction: ' .. vim.inspect(reply))
  local fix
  for _, action in ipairs(reply.result) do
    if action.title == 'Replace with rbac' then
      fix = action
    end
  end
  check(fix and fix.edit, 'no "Replace with rbac" action: ' .. vim.inspect(reply.result))
  local before = published[main_uri].count
  vim.lsp.util.apply_workspace_edit(fix.edit, encoding)
  local line = vim.api.nvim_buf_get_lines(buf, typo.range.start.line, typo.range.start.line + 1, true)[1]
  check(line:match('^%s*rbac%s+= true$'), 'after the quick fix the line reads: ' .. line)
  ok = vim.wait(PATIENCE, function()
    local p = published[main_uri]
    return p.count > before and #p.diagnostics == 0
  end, 20)
  check(ok, 'the diagnostic stayed after the fix: ' .. vim.inspect(published[main_uri]))
  say('quick fix applied: ' .. vim.trim(line))

  -- 3. Renaming the resource `rg` edits both files and warns about the state move.
  reply = client.request_sync('textDocument/rename', {
    textDocument = { uri = main_uri },
    position = { line = 0, character = 10 },
    newName = 'group',
  }, PATIENCE, buf)
  check(reply and reply.result, 'no answer to textDocument/rename: ' .. vim.inspect(reply))
  local files = 0
  for _ in pairs(reply.result.changes or {}) do
    files = files + 1
  end
  check(files == 2, 'the rename should edit 2 files: ' .. vim.inspect(reply.result))
  before = published[main_uri].count
  vim.lsp.util.apply_workspace_edit(reply.result, encoding)
  local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, true), '\n')
  check(text:find('resource group: azure.resource_group', 1, true), 'main.infra after the rename:\n' .. text)
  check(text:find('resource_group = group\n', 1, true), 'the reference was not renamed:\n' .. text)
  check(text:find('name     = "rg"', 1, true), 'the rename changed a string:\n' .. text)
  local outputs_buf = vim.fn.bufnr(outputs)
  check(outputs_buf > 0, 'outputs.infra was not opened by the rename')
  local out_text = table.concat(vim.api.nvim_buf_get_lines(outputs_buf, 0, -1, true), '\n')
  check(out_text == 'output group_name = group.name', 'outputs.infra after the rename: ' .. out_text)
  ok = vim.wait(PATIENCE, function()
    return #messages > 0
  end, 20)
  check(ok, 'no warning about the state move')
  check(messages[1]:find("infra state mv 'rg' 'group'", 1, true), 'the warning lacks the command: ' .. messages[1])
  say('rename applied in 2 files; warning: ' .. messages[1]:gsub('\n', ' '))

  -- 4. Both files still check clean, as the server sees the edited buffers.
  ok = vim.wait(PATIENCE, function()
    local m, o = published[main_uri], published[outputs_uri]
    return m.count > before and o and #m.diagnostics == 0 and #o.diagnostics == 0 and vim.lsp.buf_is_attached(outputs_buf, client_id)
  end, 20)
  check(ok, 'diagnostics after the rename: ' .. vim.inspect(published))
  -- 5. Shutdown and exit, as when Neovim quits: the server ends cleanly.
  vim.lsp.stop_client(client_id)
  ok = vim.wait(PATIENCE, function()
    return exit_code ~= nil
  end, 20)
  check(ok and exit_code == 0, 'the server did not exit cleanly: ' .. tostring(exit_code))
  say('ok')
end

local ok, err = xpcall(run, debug.traceback)
if ok then
  vim.cmd('qall!')
else
  io.stderr:write('neovim e2e failed: ' .. tostring(err) .. '\n')
  vim.cmd('cquit 1')
end
