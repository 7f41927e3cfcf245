// "/" without a viewer known to the server: ask the session which board
// this role lands on (the server redirects by itself when it knows).
'use strict';

(function () {
  const boards = { education: '/board/education', market: '/board/market', school: '/board/school' };
  CG.ready((s) => {
    location.replace(boards[s.role] || '/board/police');
  });
})();
